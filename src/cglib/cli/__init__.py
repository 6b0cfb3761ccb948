"""The ``cglib`` command line: thin modules over the client library."""
