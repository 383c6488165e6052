"""The chain's cloud: its PostgreSQL schema, HTTP and websocket API, payments,
notifications and head-office reports.

One FastAPI application (`cloud_api.app.create_app`) served by any number of
stateless workers on one database. Each domain has its own folder
(`router`, `schemas`, `service`, `repository`); services never commit, the
request boundary does. Pricing and the order lifecycle are the trade's pure rules
(`makeline.trade`), shared with the store, so a price or a stage means the same on both sides.
"""
