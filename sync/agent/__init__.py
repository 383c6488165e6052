"""The store agent's sync with the cloud (`makeline agent` runs it beside the print queue).

SyncAgent(db, settings, printers).run(stop)   until stopped, through every outage
SyncAgent(...).sync_once()                    send and apply everything, then return
agent_lock(db_path)                           one agent per store database
"""

from sync.agent.lock import agent_lock
from sync.agent.loop import NOT_CONNECTED, PrinterHealthSource, SyncAgent, sync_forever
from sync.agent.settings import AgentSettings

__all__ = ["NOT_CONNECTED", "AgentSettings", "PrinterHealthSource", "SyncAgent", "agent_lock", "sync_forever"]
