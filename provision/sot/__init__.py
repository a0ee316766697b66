"""The source of truth (Nautobot): import a site from it, write colo's decisions back through an outbox.

`base` is the adapter interface, `nautobot` its pynautobot implementation (imported only by
the commands that talk to Nautobot), `mapping` the pure translation both ways, `outbox` the
store side the services call, `service` the use cases behind `colo inventory import
nautobot` and `colo sot`.
"""
