"""The monthly update: the flow, reports and their periods, reminders, the officials' overview and exports."""
