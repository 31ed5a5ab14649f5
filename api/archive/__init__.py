"""The archive (归档) of a resolved case: a ZIP that an auditor checks offline."""
