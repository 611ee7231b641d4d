"""What a reply template may do, in numbers: read by the rules (`templates`) and enforced by the sandbox
(`template_sandbox`), which is loaded only when the first template is filled."""

MAX_TEMPLATE_CHARS = 20_000
MAX_OUTPUT_CHARS = 20_000
MAX_RANGE = 200
MAX_LOOP_DEPTH = 2
MAX_POWER = 64
