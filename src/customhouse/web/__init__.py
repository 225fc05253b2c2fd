"""Pages for people: the public portal, the trader's portal and the officer's workspace.

Server-rendered with Jinja2 (HTMX enhances them; every page works without JavaScript). Routes
call the same service functions as the API, with the principal taken from a signed session.
"""
