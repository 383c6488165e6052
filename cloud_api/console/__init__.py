"""Head office's console at `/console`: the chain (or, for a store manager, their own store)
at a glance, server-rendered from the same report services the API answers with.

    router        the mount point, sign-in and sign-out, shipped files; includes every page
    session       who is signed in (the API's own tokens, kept in httpOnly cookies)
    shell         templates, the signed-in page runner, the store scope (404 for others' stores)
    tables        a table of figures: columns, formats, and its CSV (formula-safe)
    charts        charts drawn on the server (Vega-Lite through altair, SVG by vl-convert)
    *_pages       one module per page: sales, speed, delivery, food cost
"""
