"""The sync endpoints stores' agents call: push (store events in), pull (the store's feed
out), heartbeat (the store is online), and the websocket that nudges an agent the moment
its feed has news. The wire shapes are `sync.contract`."""
