"""`python -m facegate_cli`: the same as the `facegate` console script."""

from facegate_cli.main import app

app(prog_name="facegate")
