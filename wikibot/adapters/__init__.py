"""The only modules that touch disk or network: the local workspace and, later, the live wiki."""
