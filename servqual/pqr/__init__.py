"""PQR: requests, complaints and claims, from intake to an answer within the legal deadline.

The pure foundation lives in :mod:`servqual.pqr.clock` (the deadline clock) and
:mod:`servqual.pqr.filing` (filing numbers); neither imports Flask nor SQLAlchemy.
"""
