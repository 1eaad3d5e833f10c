"""The built-in Segment-compatible collector: the default destination without a Write Key, and
the test suite's stand-in for Segment.

One module per concept: `server` (`serve`: database, socket, uvicorn), `app` (HTTP routes,
`create_app`), `receiver` (one tracking request from body to answer), `limits` (Segment's size
and count limits), `auth` (write keys), `messages` (what a body carries), `answers`, `faults`
(injected failures), `storage` (recording), `reading` (listing it back).
Import from those modules: this package imports nothing, so reading events stays light.
"""
