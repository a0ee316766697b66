"""People and access: authorized persons and authorizations, visits, named staff, licences and stops."""
