"""Monitoring and the SLA: probe rounds, contacts and watches, availability, traffic, faults."""
