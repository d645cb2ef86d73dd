"""The `facegate` command line: a client of facegate's HTTP API through the generated SDK (facegate_client), and
nothing else, so that it works against any server it can reach and tests the API as users meet it."""
