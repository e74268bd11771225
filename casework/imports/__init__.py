"""Import of the registers municipalities keep today (case register, decision table)."""
