"""Stock: the chain's item catalog (head office sets cost, par, discontinued) and each
store's on-hand, counts, receiving, waste and ideal usage as sync reports them."""
