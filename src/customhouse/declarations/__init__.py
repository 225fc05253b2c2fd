"""The Declaration aggregate: input document, validation rules and lifecycle."""
