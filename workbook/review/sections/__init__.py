"""The sections of the quarterly review, one module each (workbook.review.section is their
contract; workbook.review.report lists them in page order). Each module holds the section's
data (plain DataFrames with canonical English columns, pure functions of the zone, the as-of
date and the forecast, testable on their own) and how it is shown, sheeted and summed up."""
