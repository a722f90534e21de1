"""Supervision (监管) of authorized operation and the product market, for platform
administrators and auditors: agreements by state and expiry, overdue application queues,
listing review times, complaints and prices against fee caps, each row linked to its item and
its audit rows, each table exportable as CSV."""
