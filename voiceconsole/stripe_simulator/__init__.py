"""A small stateful Stripe on 127.0.0.1 for tests and the demo, driven through the official `stripe` SDK.

`create_app(webhook_url, webhook_secret)` (server.py) serves the `/v1` endpoints the product calls
(customers, products, prices, Billing Meters and meter events, Checkout, the Customer Portal,
subscriptions, invoices), hosted Checkout and Portal pages, and `/_sim` control endpoints; events are
signed with Stripe's scheme and delivered in a background thread (webhooks.py). Object shapes follow
Stripe's own example objects (objects.py). Run it with `voiceconsole stripe-simulator` (cli.py).

Nothing is imported here, so that the `voiceconsole` command can register cli.py without loading the
server (FastAPI, the SDK) on every start.
"""
