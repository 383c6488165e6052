"""Pure rules shared by the store and the cloud: no database, no network, no clock.

Everything here is plain data in, plain data out, so both sides price an order
and move it through its lifecycle with the same code.
"""
