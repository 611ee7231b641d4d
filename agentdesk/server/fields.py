"""Field types the request bodies share: each bounded, so a body is checked field by field (422) once its size
has passed the limit (413)."""

from typing import Annotated

from pydantic import Field

ID = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
TEXT32 = Annotated[str, Field(max_length=32, pattern=r"^[^\x00-\x1f\x7f]*$")]
STAMP = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[0-9T:.+Z -]+$")]
PHONE = Annotated[str, Field(max_length=64, pattern=r"^[0-9+() .x*#-]*$")]
NAME = Annotated[str, Field(min_length=3, max_length=120, pattern=r"^[A-Za-z0-9_.@-]+$")]
"""A mutation's registered name, e.g. `customer.create@1`."""
