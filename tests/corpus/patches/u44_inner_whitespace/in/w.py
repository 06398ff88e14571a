total  =  price *  qty
print(total)
