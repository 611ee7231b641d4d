"""The backend's routes, one `APIRouter` per area; `agentdesk.server.app.create_app` mounts them."""
