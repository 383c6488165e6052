"""The customers' storefront, served by the cloud at `/`: start (delivery or carryout), menu,
pizza builder, cart, checkout, confirmation and tracker. Server-rendered from the cloud's
own services with Jinja2 templates; a little vanilla JavaScript; every asset in the package."""
