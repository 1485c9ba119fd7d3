"""The voice platforms we speak to: the common records every connector maps onto (`base`), the connector
interface with its HTTP and webhook helpers (`connector`), one module per platform (`retell`, `vapi`,
`elevenlabs`), the factory that picks one (`registry`), and the platform simulator (`simulator/`).
Nothing here knows the database: storing what a connector returns is the services' job."""
