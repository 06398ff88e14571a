# range 1-10 -- inclusive
limit = 20
step = 1
