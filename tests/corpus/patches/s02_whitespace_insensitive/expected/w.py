total = price * qty * 2
print(total)
