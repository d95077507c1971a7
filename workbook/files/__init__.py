"""What the workbook writes and reads safely: run folders that replace only their own, strict
JSON, inert Excel cells and safe YAML. Imports only `workbook.text`."""
