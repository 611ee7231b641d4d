"""The write model: every change a terminal makes, run by the local store and, when pushed, by the backend.

`registry` lists every mutation by name@version and resolves names; one module per area holds the mutations
themselves (`customers`, `calls`, `tickets`, `appointments`), `arguments` checks what they are given, and
`shared` holds what they have in common. The modules import downwards only: area modules never import the
registry, so there is no import circle.
"""
