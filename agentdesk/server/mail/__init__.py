"""E-mail on the backend: mail taken in becomes tickets, acknowledgements and agents' replies go out.

`schema` holds the backend-only tables (mailboxes, every message received as it came, attachments, the
Message-IDs that thread a conversation, and the mail going out with its delivery state); `intake` turns a
received message into ticket rows through the same mutators a terminal runs; `listener` is the SMTP server;
`relay` sends what is queued; `survey` asks a resolved case's customer to rate the reply and records their answer.
"""
