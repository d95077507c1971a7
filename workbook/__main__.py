from workbook.cli import console

console()
