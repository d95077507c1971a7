"""What the workbook writes and reads safely: run folders that replace only their own, strict
JSON, inert Excel cells and safe YAML; and how a process ends and keeps or gives back its
memory (`ending`, `heap`). Imports only `workbook.text`."""
