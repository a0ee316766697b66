"""The device lab: simulated switches (SSH) and PDUs / IF-MIB (SNMP) on 127.0.0.1."""
