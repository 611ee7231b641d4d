"""The desks: one application service per area of the agent's work (calls, tickets, bookings, outbound work,
customers). A desk takes plain values, builds and submits the mutations (names, arguments, ids, times from its
clock) and returns what a screen shows. Desks hold no screen and never import Textual; tests drive them directly.
"""
