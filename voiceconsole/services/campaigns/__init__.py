"""Outbound calling: leads (`leads`), phone numbers, emails and time zones (`phones`), the do-not-call list
(`dnc`) and lead imports (`imports`). Campaigns and dialing join this package later."""
