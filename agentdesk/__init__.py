"""AgentDesk: the terminal workstation for call-center and help-desk agents."""

__version__ = "0.1.0"
