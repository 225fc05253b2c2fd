"""Tariff classification: nomenclature search, code suggestions that abstain, binding rulings.

Pure engines: :mod:`.engine` (suggestions), :mod:`.search` (type-ahead over the nomenclature),
:mod:`.consistency` (does a description fit its declared code), :mod:`.rulings` (binding tariff
rulings and the conflict check). Data come in through :mod:`.loaders`; nothing here reads the
clock, the environment or a database.
"""
