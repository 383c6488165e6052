"""The demo chain's menu: four pizza sizes, three crusts, 25 toppings, 14 specialties,
sides, drinks and desserts, with portions like a real chain's build charts."""

from __future__ import annotations

from decimal import Decimal

from makeline.trade.menu import (
    Amount,
    Category,
    Coupon,
    CouponKind,
    Menu,
    Option,
    Placement,
    Portion,
    Product,
    ProductKind,
    Size,
    Station,
    Topping,
    ToppingChoice,
)

PIZZA_SIZES = ("sm", "md", "lg", "xl")


def _per_size(item: str, *qty: str) -> dict[str, list[Portion]]:
    return {size: [Portion(item=item, qty=Decimal(q))] for size, q in zip(PIZZA_SIZES, qty, strict=True)}


def _prices(*cents: int) -> dict[str, int]:
    return dict(zip(PIZZA_SIZES, cents, strict=True))


TOPPING_PRICE = _prices(149, 179, 209, 239)
MEAT = ("1", "1.5", "2", "2.75")
VEG = ("1", "1.5", "2", "2.5")
CHEESE_TOP = ("0.75", "1", "1.5", "2")

_TOPPINGS = [
    ("pepperoni", "Pepperoni", "meat", MEAT),
    ("sausage", "Italian Sausage", "meat", MEAT),
    ("ham", "Ham", "meat", MEAT),
    ("bacon", "Bacon", "meat", ("0.75", "1", "1.5", "2")),
    ("beef", "Beef", "meat", MEAT),
    ("chicken", "Grilled Chicken", "meat", MEAT),
    ("salami", "Salami", "meat", ("0.75", "1", "1.5", "2")),
    ("anchovies", "Anchovies", "meat", ("0.5", "0.75", "1", "1.25")),
    ("green_peppers", "Green Peppers", "veg", VEG),
    ("onions", "Onions", "veg", VEG),
    ("mushrooms", "Mushrooms", "veg", VEG),
    ("black_olives", "Black Olives", "veg", VEG),
    ("green_olives", "Green Olives", "veg", VEG),
    ("jalapenos", "Jalapeños", "veg", VEG),
    ("banana_peppers", "Banana Peppers", "veg", VEG),
    ("pineapple", "Pineapple", "veg", VEG),
    ("tomatoes", "Tomatoes", "veg", VEG),
    ("spinach", "Spinach", "veg", ("0.5", "0.75", "1", "1.25")),
    ("roasted_peppers", "Roasted Red Peppers", "veg", VEG),
    ("garlic", "Garlic", "veg", ("0.25", "0.25", "0.5", "0.5")),
    ("basil", "Basil", "veg", ("0.1", "0.15", "0.2", "0.25")),
    ("feta", "Feta", "cheese", CHEESE_TOP),
    ("cheddar", "Cheddar", "cheese", CHEESE_TOP),
    ("provolone", "Provolone", "cheese", CHEESE_TOP),
    ("parmesan", "Parmesan", "cheese", ("0.25", "0.5", "0.5", "0.75")),
]
# What the demo's toppings contain (the trade's usual suppliers' sheets): cured meats carry
# milk powder or mustard, anchovies are fish, every cheese is milk.
_TOPPING_ALLERGENS: dict[str, list[str]] = {
    "pepperoni": ["milk", "mustard"],
    "sausage": ["mustard"],
    "salami": ["milk"],
    "anchovies": ["fish"],
    "feta": ["milk"],
    "cheddar": ["milk"],
    "provolone": ["milk"],
    "parmesan": ["milk"],
}
TOPPINGS = [
    Topping(
        code=code,
        name=name,
        kind=kind,
        price=TOPPING_PRICE,
        portions=_per_size(code, *qty),
        allergens=_TOPPING_ALLERGENS.get(code, []),
    )
    for code, name, kind, qty in _TOPPINGS
]

SIZES = [
    Size(code="sm", name='Small 10"', inches=10, sort=1, box=[Portion(item="box_sm", qty=Decimal(1))]),
    Size(code="md", name='Medium 12"', inches=12, sort=2, box=[Portion(item="box_md", qty=Decimal(1))]),
    Size(code="lg", name='Large 14"', inches=14, sort=3, box=[Portion(item="box_lg", qty=Decimal(1))]),
    Size(code="xl", name='X-Large 16"', inches=16, sort=4, box=[Portion(item="box_xl", qty=Decimal(1))]),
    Size(code="8pc", name="8 piece", sort=10),
    Size(code="16pc", name="16 piece", sort=11),
    Size(code="each", name="Regular", sort=12),
    Size(code="20oz", name="20 oz", sort=13),
    Size(code="2l", name="2 Liter", sort=14),
]

CRUSTS = [
    Option(
        code="hand_tossed",
        name="Hand Tossed",
        allergens=["gluten", "wheat"],
        portions={
            s: [Portion(item=f"dough_{s}", qty=Decimal(1)), Portion(item="cornmeal", qty=Decimal("0.25"))]
            for s in PIZZA_SIZES
        },
    ),
    Option(
        code="thin",
        name="Thin",
        allergens=["gluten", "wheat"],
        sizes=["md", "lg"],
        portions={
            "md": [Portion(item="thin_md", qty=Decimal(1))],
            "lg": [Portion(item="thin_lg", qty=Decimal(1))],
        },
    ),
    Option(
        code="pan",
        name="Pan",
        allergens=["gluten", "wheat", "milk"],
        sizes=["md", "lg"],
        upcharge={"md": 150, "lg": 200},
        portions={
            "md": [Portion(item="pan_dough", qty=Decimal(1)), Portion(item="garlic_oil", qty=Decimal("0.5"))],
            "lg": [
                Portion(item="pan_dough", qty=Decimal("1.5")),
                Portion(item="garlic_oil", qty=Decimal("0.75")),
            ],
        },
    ),
]
SAUCES = [
    Option(code="tomato", name="Tomato Sauce", portions=_per_size("pizza_sauce", "3", "4", "5", "6")),
    Option(code="bbq", name="BBQ Sauce", portions=_per_size("bbq_sauce", "2", "3", "4", "5")),
    Option(
        code="alfredo",
        name="Alfredo Sauce",
        portions=_per_size("alfredo_sauce", "3", "4", "5", "6"),
        allergens=["milk", "egg"],
    ),
    Option(code="buffalo", name="Buffalo Sauce", portions=_per_size("buffalo_sauce", "2", "3", "4", "5")),
    Option(
        code="garlic_parm",
        name="Garlic Parmesan",
        portions=_per_size("garlic_oil", "1.5", "2", "2.5", "3"),
        allergens=["milk"],
    ),
]
CHEESES = [
    Option(
        code="mozzarella",
        name="Mozzarella",
        allergens=["milk"],
        extra_price=TOPPING_PRICE,
        portions=_per_size("mozzarella", "4", "6", "8", "10"),
    ),
    Option(
        code="provolone",
        name="Provolone Blend",
        allergens=["milk"],
        extra_price=TOPPING_PRICE,
        portions=_per_size("provolone", "4", "6", "8", "10"),
    ),
]


def _t(*codes: str) -> list[ToppingChoice]:
    return [ToppingChoice(code=c) for c in codes]


def _pizza(
    code: str,
    name: str,
    prices: dict[str, int],
    toppings: list[ToppingChoice],
    sauce: str = "tomato",
    cheese: str = "mozzarella",
    sort: int = 0,
    category: str = "specialty",
) -> Product:
    return Product(
        code=code,
        name=name,
        category=category,
        kind=ProductKind.PIZZA,
        station=Station.MAKELINE,
        price=prices,
        crust="hand_tossed",
        sauce=sauce,
        cheese=cheese,
        toppings=toppings,
        sort=sort,
    )


SPECIALTY = _prices(1399, 1699, 1999, 2299)
PIZZAS = [
    _pizza("cheese", "Cheese Pizza", _prices(999, 1299, 1499, 1699), [], sort=1, category="pizza"),
    _pizza(
        "pepperoni",
        "Pepperoni Pizza",
        _prices(1148, 1478, 1708, 1938),
        _t("pepperoni"),
        sort=2,
        category="pizza",
    ),
    _pizza(
        "meat_lovers", "Meat Lovers", SPECIALTY, _t("pepperoni", "sausage", "ham", "bacon", "beef"), sort=3
    ),
    _pizza(
        "supreme",
        "Supreme",
        SPECIALTY,
        _t("pepperoni", "sausage", "green_peppers", "onions", "mushrooms", "black_olives"),
        sort=4,
    ),
    _pizza(
        "veggie",
        "Garden Veggie",
        SPECIALTY,
        _t("green_peppers", "onions", "mushrooms", "black_olives", "tomatoes"),
        sort=5,
    ),
    _pizza("hawaiian", "Hawaiian", _prices(1299, 1599, 1899, 2199), _t("ham", "pineapple", "bacon"), sort=6),
    _pizza(
        "bbq_chicken",
        "BBQ Chicken",
        SPECIALTY,
        _t("chicken", "onions", "bacon", "cheddar"),
        sauce="bbq",
        sort=7,
    ),
    _pizza(
        "buffalo_chicken",
        "Buffalo Chicken",
        SPECIALTY,
        _t("chicken", "onions", "cheddar"),
        sauce="buffalo",
        sort=8,
    ),
    _pizza(
        "chicken_alfredo",
        "Chicken Alfredo",
        SPECIALTY,
        _t("chicken", "spinach", "tomatoes"),
        sauce="alfredo",
        sort=9,
    ),
    _pizza(
        "margherita",
        "Margherita",
        _prices(1299, 1599, 1899, 2199),
        [ToppingChoice(code="tomatoes", amount=Amount.EXTRA), *_t("basil", "garlic", "parmesan")],
        sort=10,
    ),
    _pizza(
        "philly",
        "Philly Cheesesteak",
        SPECIALTY,
        _t("beef", "onions", "green_peppers", "mushrooms"),
        cheese="provolone",
        sort=11,
    ),
    _pizza(
        "spinach_feta",
        "Spinach & Feta",
        _prices(1299, 1599, 1899, 2199),
        _t("spinach", "feta", "onions", "garlic"),
        sauce="alfredo",
        sort=12,
    ),
    _pizza(
        "deluxe",
        "Deluxe",
        SPECIALTY,
        _t("pepperoni", "sausage", "green_peppers", "onions", "mushrooms"),
        sort=13,
    ),
    _pizza(
        "mediterranean",
        "Mediterranean",
        SPECIALTY,
        _t("spinach", "feta", "black_olives", "tomatoes", "roasted_peppers", "onions"),
        sort=14,
    ),
    _pizza(
        "fiery",
        "Fiery Hawaiian",
        _prices(1299, 1599, 1899, 2199),
        _t("ham", "pineapple", "jalapenos", "bacon"),
        sort=15,
    ),
    _pizza(
        "everything",
        "The Works",
        _prices(1599, 1899, 2199, 2499),
        _t("pepperoni", "ham", "sausage", "beef", "green_peppers", "onions", "mushrooms", "black_olives"),
        sort=16,
    ),
]


def _simple(
    code: str,
    name: str,
    category: str,
    kind: ProductKind,
    station: Station,
    price: dict[str, int],
    portions: dict[str, list[tuple[str, str]]],
    sort: int,
) -> Product:
    return Product(
        code=code,
        name=name,
        category=category,
        kind=kind,
        station=station,
        price=price,
        portions={s: [Portion(item=i, qty=Decimal(q)) for i, q in ps] for s, ps in portions.items()},
        sort=sort,
    )


SIDES = [
    _simple(
        "wings",
        "Buffalo Wings",
        "sides",
        ProductKind.SIDE,
        Station.SIDES,
        {"8pc": 899, "16pc": 1599},
        {
            "8pc": [("wings", "8"), ("buffalo_sauce", "2"), ("blue_cheese", "1"), ("wing_box", "1")],
            "16pc": [("wings", "16"), ("buffalo_sauce", "4"), ("blue_cheese", "2"), ("wing_box", "1")],
        },
        1,
    ),
    _simple(
        "boneless",
        "Boneless Wings",
        "sides",
        ProductKind.SIDE,
        Station.SIDES,
        {"8pc": 799, "16pc": 1399},
        {
            "8pc": [("boneless", "8"), ("ranch", "1"), ("wing_box", "1")],
            "16pc": [("boneless", "16"), ("ranch", "2"), ("wing_box", "1")],
        },
        2,
    ),
    _simple(
        "breadsticks",
        "Breadsticks",
        "sides",
        ProductKind.SIDE,
        Station.SIDES,
        {"each": 599},
        {"each": [("breadsticks", "8"), ("garlic_oil", "1"), ("marinara_cup", "1")]},
        3,
    ),
    _simple(
        "cheesy_bread",
        "Cheesy Bread",
        "sides",
        ProductKind.SIDE,
        Station.SIDES,
        {"each": 699},
        {"each": [("cheesy_bread", "1"), ("mozzarella", "4"), ("marinara_cup", "1")]},
        4,
    ),
    _simple(
        "pasta",
        "Chicken Alfredo Pasta",
        "sides",
        ProductKind.SIDE,
        Station.SIDES,
        {"each": 899},
        {"each": [("pasta", "8"), ("alfredo_sauce", "4"), ("chicken", "2"), ("parmesan", "0.25")]},
        5,
    ),
    _simple(
        "salad",
        "Garden Salad",
        "sides",
        ProductKind.SIDE,
        Station.SIDES,
        {"each": 649},
        {"each": [("salad_mix", "5"), ("tomatoes", "1"), ("ranch", "1")]},
        6,
    ),
    _simple(
        "cookie",
        "Chocolate Chip Cookie",
        "desserts",
        ProductKind.DESSERT,
        Station.SIDES,
        {"each": 699},
        {"each": [("cookie_dough", "1")]},
        1,
    ),
    _simple(
        "brownie",
        "Fudge Brownie",
        "desserts",
        ProductKind.DESSERT,
        Station.SIDES,
        {"each": 699},
        {"each": [("brownie", "1")]},
        2,
    ),
    _simple(
        "cinnamon",
        "Cinnamon Twists",
        "desserts",
        ProductKind.DESSERT,
        Station.SIDES,
        {"each": 599},
        {"each": [("cinnamon_dough", "8"), ("icing", "1")]},
        3,
    ),
    _simple(
        "cola",
        "Cola",
        "drinks",
        ProductKind.DRINK,
        Station.RACK,
        {"20oz": 249, "2l": 349},
        {"20oz": [("cola_20", "1")], "2l": [("cola_2l", "1")]},
        1,
    ),
    _simple(
        "diet_cola",
        "Diet Cola",
        "drinks",
        ProductKind.DRINK,
        Station.RACK,
        {"20oz": 249, "2l": 349},
        {"20oz": [("diet_cola_20", "1")], "2l": [("diet_cola_2l", "1")]},
        2,
    ),
    _simple(
        "lemon_lime",
        "Lemon-Lime",
        "drinks",
        ProductKind.DRINK,
        Station.RACK,
        {"20oz": 249, "2l": 349},
        {"20oz": [("lemon_lime_20", "1")], "2l": [("lemon_lime_2l", "1")]},
        3,
    ),
    _simple(
        "water",
        "Bottled Water",
        "drinks",
        ProductKind.DRINK,
        Station.RACK,
        {"20oz": 199},
        {"20oz": [("water", "1")]},
        4,
    ),
]

_SIDE_ALLERGENS: dict[str, list[str]] = {
    "wings": ["milk", "celery"],
    "boneless": ["gluten", "wheat", "milk", "egg"],
    "breadsticks": ["gluten", "wheat"],
    "cheesy_bread": ["gluten", "wheat", "milk"],
    "pasta": ["gluten", "wheat", "milk", "egg"],
    "salad": ["milk", "egg"],
    "cookie": ["gluten", "wheat", "milk", "egg", "soy"],
    "brownie": ["gluten", "wheat", "milk", "egg", "soy"],
    "cinnamon": ["gluten", "wheat", "milk"],
}
SIDES = [p.model_copy(update={"allergens": _SIDE_ALLERGENS.get(p.code, [])}) for p in SIDES]

COUPONS = [
    Coupon(
        code="2LG1999",
        description="2 large 1-topping pizzas for $19.99",
        kind=CouponKind.BUNDLE,
        pizzas=2,
        sizes=["lg"],
        max_toppings=1,
        bundle_price=1999,
    ),
    Coupon(
        code="MIX3",
        description="3 medium pizzas up to 2 toppings for $24.99",
        kind=CouponKind.BUNDLE,
        pizzas=3,
        sizes=["md"],
        max_toppings=2,
        bundle_price=2499,
    ),
    Coupon(
        code="LG1199",
        description="Any large specialty pizza for $11.99",
        kind=CouponKind.BUNDLE,
        pizzas=1,
        sizes=["lg"],
        bundle_price=1199,
        max_toppings=8,
        products=[p.code for p in PIZZAS if p.category == "specialty"],
    ),
    Coupon(
        code="5OFF30",
        description="$5 off orders of $30 or more",
        kind=CouponKind.AMOUNT_OFF,
        amount_off=500,
        min_subtotal=3000,
    ),
    Coupon(
        code="20OFF50",
        description="20% off orders of $50 or more",
        kind=CouponKind.PERCENT_OFF,
        percent_off=20,
        min_subtotal=5000,
    ),
]

CATEGORIES = [
    Category(code="pizza", name="Pizzas", sort=1),
    Category(code="specialty", name="Specialty Pizzas", sort=2),
    Category(code="sides", name="Sides", sort=3),
    Category(code="desserts", name="Desserts", sort=4),
    Category(code="drinks", name="Drinks", sort=5),
]


def demo_menu(version: int = 1) -> Menu:
    return Menu(
        version=version,
        name="makeline demo menu",
        categories=CATEGORIES,
        sizes=SIZES,
        crusts=CRUSTS,
        sauces=SAUCES,
        cheeses=CHEESES,
        toppings=TOPPINGS,
        products=PIZZAS + SIDES,
        coupons=COUPONS,
    )


__all__ = ["Placement", "demo_menu"]
