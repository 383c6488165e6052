"""The demo chain: seeded once by `makeline cloud --demo`, and a stand-in kitchen for the
demo store while no real store computer is enrolled for it."""

DEMO_PASSWORD = "makeline-demo"
HEAD_OFFICE_EMAIL = "hq@makeline.test"
MANAGER_EMAIL = "manager@makeline.test"
STORE_CODE = "OP-001"
