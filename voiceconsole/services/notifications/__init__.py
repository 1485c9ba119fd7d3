"""Outbound notifications (DESIGN.md §6), in the order an event travels:
events          recording events (the outbox) and their payloads
channels        notification channels: validation, secrets, rotation
fanout          one delivery per (event, channel) that wants it
outbox          claiming due deliveries and recording each attempt
sender          the pump: signed webhooks, Slack, Discord and email, sent concurrently
format, signing what a message looks like, how a webhook is signed
deliveries      test events, the delivery log, resuming a paused channel
daily_summary   the daily summary events at each audience's local hour
"""
