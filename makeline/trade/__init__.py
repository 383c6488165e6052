"""The rules of the trade, shared by the store and the cloud: no database, no network, no clock.

Plain data in, plain data out, so both sides price an order, move it through its
lifecycle, count its business day and its stock with the same code:

    menu          the menu document (products, sizes, toppings, coupons)
    pricing       pricing a configured item and an order, the best deal, tax
    lifecycle     an order's stages, who may move it, and its stage stamps
    business_day  which business day a moment belongs to
    geo           distances and address normalising
    units         units of stock and mixed-unit quantities
    recipes       ideal usage of a priced item
    costing       cost per unit and weighted costs
    variance      food-cost variance math
    errors        the trade's refusals (the root of the store's error tree)
"""
