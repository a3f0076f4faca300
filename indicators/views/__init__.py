"""The indicators' pages, one module per page group: the overview, an indicator's page and
its values (`pages`), importing values from a file (`imports`), the stories behind the
curve (`stories`), and the coordinators' API tokens (`tokens`). The API itself is
`indicators/api.py`."""
