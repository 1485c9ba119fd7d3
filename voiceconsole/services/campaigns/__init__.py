"""Outbound calling: leads (`leads`), phone numbers, emails and time zones (`phones`), the do-not-call list
(`dnc`), lead imports (`imports`), campaigns and their lifecycle (`campaigns`), calling windows (`windows`), the
dispatcher that dials (`dispatcher`), what became of each dial (`outcomes`) and a campaign's results (`stats`)."""
