"""Subscribers: people and endpoints told of every update by email or webhook (issue 16, docs/subscribers.md).

models (the tables), service (subscribe, confirm, unsubscribe, the CLI's add/list/remove/export),
fanout (the `notify` job: one INSERT … SELECT of notification rows), claims and lanes (the worker side:
each notifier claims its notifications in batches, in a lane of its own), notices (rows as views for
the notifiers), receipts (counts for Slack), ratelimit (per-client window).
"""
