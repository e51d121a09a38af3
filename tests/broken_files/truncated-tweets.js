window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "id_str" : "1",
      "full_text" : "cut sho