"""The static status site: snapshot the database, shape Statuspage JSON, render pages, write atomically.

Modules: `snapshot` (views read from the tables), `days` (local days and months), `api` (Statuspage v2
JSON), `pages` (HTML and feeds from templates/site/), `writer` (atomic, change-only file writes) and
`builder` (which files a change touches, in link order).
"""
