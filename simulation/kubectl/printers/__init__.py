"""How kubectl prints objects, as upstream kubectl's printers do.

`tables.py` picks each kind's `kubectl get` table (its columns in `columns.py` and
`columns_more.py`, filled as kubernetes/pkg/printers/internalversion fills them) and
`tabwriter.py` aligns it; `output.py` is `-o yaml|json|name` (YAML by `yamlout.py`),
`jsonpath.py` is `-o jsonpath=…`.
"""
