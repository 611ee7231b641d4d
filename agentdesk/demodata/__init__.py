"""The parts of the demo data generator (`agentdesk.demo`): its words, its rows, and the bulk loader."""
