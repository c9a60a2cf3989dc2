"""People's rights over their data: the privacy notice and consent, /dulieu, /xoadulieu, the log purge."""
