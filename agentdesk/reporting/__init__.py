"""The day's figures read from a store or the backend: the daily report and staffing from history."""
