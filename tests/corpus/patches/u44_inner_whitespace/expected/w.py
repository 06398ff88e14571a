total = price * qty * (1 + tax)
print(total)
